/** Commander's parse errors as one plain sentence each (used by `failguard` and the lab). */
import { CommanderError } from 'commander';

export function explainCommanderError(e: CommanderError, program: string, commands: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  const list = commands.length > 1 ? `${commands.slice(0, -1).join(', ')} and ${commands.at(-1)}` : commands.join('');
  switch (e.code) {
    case 'commander.unknownCommand':
      return `"${quoted}" is not a ${program} command; the commands are ${list}.`;
    case 'commander.unknownOption':
      return `"${quoted}" is not an option of this command; see ${program} --help.`;
    case 'commander.excessArguments':
      return `This command takes fewer arguments; see ${program} --help.`;
    case 'commander.missingArgument':
      return `The argument ${quoted ?? ''} is missing; see ${program} --help.`;
    case 'commander.optionMissingArgument':
      return `The option ${quoted ?? ''} needs a value.`;
    case 'commander.missingMandatoryOptionValue':
      return `The option ${quoted ?? ''} is required.`;
    case 'commander.invalidArgument': {
      const choice = /option '(--[\w-]+)[^']*' argument '([^']*)' is invalid\. Allowed choices are (.*)\.$/.exec(e.message);
      if (choice) return `"${choice[2]}" is not allowed for ${choice[1]}; choose ${choice[3]!.replace(/, ([^,]*)$/, ' or $1')}.`;
      // Our own argument parsers throw a full sentence; commander wraps it.
      return e.message.replace(/^error: (option|command-argument value) '[^']*'( argument '[^']*')? is invalid\.\s*/, '').replace(/^error: /, '');
    }
    default:
      return e.message.replace(/^error: /, '');
  }
}

export function isHelpOrVersion(e: CommanderError): boolean {
  return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version';
}

import { DirectoryForm } from './DirectoryForm.tsx';
import { CertificateDialog } from './CertificateDialog.tsx';
import { ServerList } from './ServerList.tsx';

export function ServersStep() {
  return (
    <div className="servers-step">
      <DirectoryForm />
      <CertificateDialog />
      <ServerList />
    </div>
  );
}

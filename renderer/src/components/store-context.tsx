import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppStore, Store } from '../store/index.ts';

export const StoreContext = createContext<AppStore | null>(null);

/** Reads a slice of the one store; components never see the back end. */
export function useAppStore<T>(selector: (s: Store) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside StoreContext');
  return useStore(store, selector);
}

import { createRoot } from 'react-dom/client';
import { App } from './components/App.tsx';
import { StoreContext } from './components/store-context.tsx';
import { createAppStore } from './store/index.ts';
import { connectBackend } from './backend/index.ts';
import './styles.css';

const store = createAppStore(connectBackend());
createRoot(document.getElementById('root')!).render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
);

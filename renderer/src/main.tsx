import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { takeLinkCode } from './link.ts';
import './styles.css';

// Before anything renders: the one-time code leaves the address bar and this history entry.
const link = takeLinkCode();
// A link pasted into this tab changes only the fragment (no new page load): load it properly, so
// its code is taken (and an old #token=… dropped) the same way.
window.addEventListener('hashchange', () => {
  if (/(^#|&)(code|token)=/.test(location.hash)) location.reload();
});
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App link={link} />
  </StrictMode>,
);

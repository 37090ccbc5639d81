import { logStoreContract } from './log-store.contract.js';
import { MemoryLogStore } from './memory-log-store.js';

logStoreContract('memory', async (retention) => {
  const store = new MemoryLogStore(retention);
  return { store, close: () => store.close() };
});

// Every value the page's origin keeps in IndexedDB, read in the page and handed back as JSON (Blobs left out), so a
// test can search storage for a key, a text or a leak without writing the database walk again.
import type { Page } from 'playwright-core';

export interface StoredRecord {
  database: string;
  store: string;
  /** The value as JSON. */
  json: string;
}

export async function storedRecords(page: Page): Promise<StoredRecord[]> {
  return page.evaluate(async () => {
    const records: { database: string; store: string; json: string }[] = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name ?? '');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        for (const value of values) if (!(value instanceof Blob)) records.push({ database: db.name, store, json: JSON.stringify(value) });
      }
      db.close();
    }
    return records;
  });
}

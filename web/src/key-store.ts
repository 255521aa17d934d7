/** Where the page keeps the API key: this browser's local storage, under one name. */
export const API_KEY_STORAGE_NAME = 'reprise.apiKey';

/** Reads, saves and forgets the key; a browser that refuses storage (private modes) just keeps none. */
export const keyStore = {
  get(): string | undefined {
    try {
      return localStorage.getItem(API_KEY_STORAGE_NAME) ?? undefined;
    } catch {
      return undefined;
    }
  },
  set(key: string): void {
    try {
      localStorage.setItem(API_KEY_STORAGE_NAME, key);
    } catch {
      // Not persisted: the key lasts for this page only.
    }
  },
  forget(): void {
    try {
      localStorage.removeItem(API_KEY_STORAGE_NAME);
    } catch {
      // Nothing was stored.
    }
  },
};

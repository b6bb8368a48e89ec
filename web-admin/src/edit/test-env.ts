// Test set-up for the edit screen's component tests. A jsdom page has an
// address but Node's Request does not resolve relative URLs as a browser
// does, so the API client's "/api/v1/..." requests would fail before
// reaching the mocked fetch. Import this before anything that imports
// src/lib/api.ts.
const NativeRequest = globalThis.Request;

class PageRequest extends NativeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' ? new URL(input, window.location.href).href : input, init);
  }
}

globalThis.Request = PageRequest as typeof Request;

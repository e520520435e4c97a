// PUT for the console's edit forms (the shared client has GET, POST, PATCH and DELETE).
import { API_BASE, ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie, toProblem } from '../../../shared/api';

/** PUTs JSON to a path under /api/v1 with the CSRF header; failures throw ApiError like the shared client. */
export async function put<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' };
  const csrf = readCookie(CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { method: 'PUT', headers, credentials: 'include', body: JSON.stringify(body) });
  } catch {
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, code: 'NETWORK' });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw new ApiError(toProblem(response.status, response.statusText, parsed));
  return parsed as T;
}

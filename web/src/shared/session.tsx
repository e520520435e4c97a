// The signed-in user of an area: who they are (GET /api/v1/me), signing in (the OpenID Connect flow
// at /auth/login) and signing out (POST /api/v1/auth/logout). Each area app renders one provider.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, CSRF_COOKIE, readCookie } from './api';
import {
  canManageClients,
  isAdmin,
  isCaseHandler,
  isHallStaff,
  isMerchant,
  isPlatformAdmin,
  isResident,
  isStaff,
  isVerifier,
} from './roles';

/** GET /api/v1/me: personal data arrives masked, never in the clear. */
export interface Me {
  subject: string;
  kind: 'person' | 'client';
  roles: string[];
  name?: string;
  idNumberMasked?: string;
  phoneMasked?: string;
  districtCode?: string;
  hallId?: string;
  organisationId?: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; me: Me }
  | { status: 'error'; error: unknown };

export const SIGN_IN_PATH = '/auth/login';

/** Only a path on this site may be a return address (no `//host`, no `https://…`). */
export function safeReturnTo(returnTo: string | null | undefined): string {
  if (!returnTo || !returnTo.startsWith('/') || returnTo.startsWith('//') || returnTo.startsWith('/\\')) return '/';
  return returnTo;
}

/** Where the browser goes to sign in; the sign-in flow sends it back to `returnTo` afterwards. */
export function signInUrl(returnTo: string): string {
  return `${SIGN_IN_PATH}?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

/**
 * Asks the server who is signed in. Sign-in always sets the JS-readable CSRF cookie next to the
 * HttpOnly session cookie, so without it the visitor is signed out and the server is not asked
 * (no 401 for every anonymous page view). A 401 means signed out (expired or revoked session).
 */
export async function fetchSession(signal?: AbortSignal): Promise<SessionState> {
  if (!readCookie(CSRF_COOKIE)) return { status: 'signedOut' };
  try {
    const me = await api.get<Me>('/me', undefined, signal ? { signal } : {});
    return { status: 'signedIn', me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { status: 'signedOut' };
    throw error;
  }
}

function forgetCsrfCookie(): void {
  document.cookie = `${CSRF_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`;
}

function currentPath(): string {
  return `${window.location.pathname}${window.location.search}${window.location.hash}`;
}

export interface Session {
  state: SessionState;
  /** The signed-in user, or null while loading, when signed out, or when /me failed. */
  me: Me | null;
  roles: readonly string[];
  isResident: boolean;
  isHallStaff: boolean;
  isMerchant: boolean;
  isVerifier: boolean;
  isCaseHandler: boolean;
  isAdmin: boolean;
  isPlatformAdmin: boolean;
  isStaff: boolean;
  canManageClients: boolean;
  /** Leaves for the sign-in page; comes back to `returnTo` (default: the current page). */
  signIn(returnTo?: string): void;
  /** Ends the session on the server, then reloads the area's home page. */
  signOut(): Promise<void>;
  signingOut: boolean;
  /** Why the last sign-out failed (shown with ProblemAlert); undefined otherwise. */
  signOutError: unknown;
  /** Asks the server again (e.g. after an error). */
  reload(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Loads the session once for an area; `home` is where sign-out lands (e.g. "/citizen"). */
export function SessionProvider({ home, children }: { home: string; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<unknown>(undefined);

  useEffect(() => {
    const ctrl = new AbortController();
    fetchSession(ctrl.signal).then(
      (next) => {
        if (!ctrl.signal.aborted) setState(next);
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) setState({ status: 'error', error });
      },
    );
    return () => ctrl.abort();
  }, [attempt]);

  const signIn = useCallback((returnTo?: string) => {
    window.location.assign(signInUrl(returnTo ?? currentPath()));
  }, []);

  const signOut = useCallback(async () => {
    setSigningOut(true);
    setSignOutError(undefined);
    try {
      await api.post('/auth/logout');
    } catch (error) {
      // 401: the session had already ended; anything else is shown and the user stays signed in.
      if (!(error instanceof ApiError && error.status === 401)) {
        setSignOutError(error);
        setSigningOut(false);
        return;
      }
      forgetCsrfCookie();
    }
    window.location.assign(home);
  }, [home]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Session>(() => {
    const me = state.status === 'signedIn' ? state.me : null;
    const roles = me?.roles ?? [];
    return {
      state,
      me,
      roles,
      isResident: isResident(roles),
      isHallStaff: isHallStaff(roles),
      isMerchant: isMerchant(roles),
      isVerifier: isVerifier(roles),
      isCaseHandler: isCaseHandler(roles),
      isAdmin: isAdmin(roles),
      isPlatformAdmin: isPlatformAdmin(roles),
      isStaff: isStaff(roles),
      canManageClients: canManageClients(roles),
      signIn,
      signOut,
      signingOut,
      signOutError,
      reload,
    };
  }, [state, signIn, signOut, signingOut, signOutError, reload]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The area's session; only inside a SessionProvider. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> around the area');
  return session;
}

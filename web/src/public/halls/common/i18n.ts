// Keys built at run time (a status, a kind) cannot be checked against the resource files' types.
type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Looks up an i18n key assembled at run time, e.g. `halls.priority.${ticket.priority}`. */
export function tr(t: unknown, key: string, options?: Record<string, unknown>): string {
  return (t as Translate)(key, options);
}

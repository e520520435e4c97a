import type { Logger } from 'pino';
import { BatchLine, type BatchLineObserver, type BatchLineOptions } from '../../platform/batch-line.ts';
import { civilDate } from '../../platform/civil-time.ts';
import type { Clock } from '../../platform/clock.ts';
import { textArray } from '../../platform/db/arrays.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Priority } from './rules/queue.ts';

/** One ticket request waiting for the next batch. */
export interface TicketRequest {
  ticketId: string;
  hallId: string;
  serviceId: string;
  personId: string;
  via: 'nfc' | 'qr' | 'lobby';
  appointmentId: string | null;
  priority: Priority | null;
  queuedAt: Date;
  queueKey: Date;
  prefix: string;
  /** Item ids that compete for the same windows, '|'-joined; null when the windows handle everything. */
  competing: string | null;
  issuedBy: string;
  requestId: string;
}

export type TicketOutcome = 'issued' | 'already_active' | 'appointment_invalid' | 'unknown_hall' | 'failed';

export interface TicketResult {
  outcome: TicketOutcome;
  ticketId: string | null;
  number: string | null;
  seq: number | null;
  ahead: number | null;
  existingTicketId: string | null;
  issuedAt: Date;
}

/**
 * Tickets are written in batches (BatchLine; guide/performance.md: per-statement overhead dominates;
 * one transaction for many requests is the lever): one call of hall_take_tickets for up to
 * batchSizeMax requests, with one array per field (migrations/0002_ticket_batch_arrays.sql). The
 * call is one statement committed on its own; it also appends the batch's audit entry listing every
 * ticket (POL-19), and nobody is answered before it commits. A person asks for at most one ticket
 * per hall in a batch; a second request waits for the next batch, where the database answers it
 * TICKET_ALREADY_ACTIVE.
 */
export class TicketLine extends BatchLine<TicketRequest, TicketResult> {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: BatchLineOptions,
    observer?: BatchLineObserver,
  ) {
    super(options, observer);
  }

  protected keyOf(request: TicketRequest): string {
    return `${request.personId}\u0000${request.hallId}`;
  }

  protected failed(request: TicketRequest, error: unknown): TicketResult {
    this.logger.error({ err: error, requestId: request.requestId }, 'ticket failed');
    return { outcome: 'failed', ticketId: null, number: null, seq: null, ahead: null, existingTicketId: null, issuedAt: this.clock.now() };
  }

  protected async writeBatch(requests: TicketRequest[]): Promise<TicketResult[]> {
    const now = this.clock.now();
    const count = requests.length;
    const ticket: string[] = new Array(count);
    const hall: string[] = new Array(count);
    const service: string[] = new Array(count);
    const person: string[] = new Array(count);
    const via: string[] = new Array(count);
    const appointment: (string | null)[] = new Array(count);
    const priority: (string | null)[] = new Array(count);
    const queuedAt: string[] = new Array(count);
    const queueKey: string[] = new Array(count);
    const prefix: string[] = new Array(count);
    const competing: (string | null)[] = new Array(count);
    const issuedBy: string[] = new Array(count);
    const requestId: string[] = new Array(count);
    for (let index = 0; index < count; index += 1) {
      const r = requests[index]!;
      ticket[index] = r.ticketId;
      hall[index] = r.hallId;
      service[index] = r.serviceId;
      person[index] = r.personId;
      via[index] = r.via;
      appointment[index] = r.appointmentId;
      priority[index] = r.priority;
      queuedAt[index] = r.queuedAt.toISOString();
      queueKey[index] = r.queueKey === r.queuedAt ? queuedAt[index]! : r.queueKey.toISOString();
      prefix[index] = r.prefix;
      competing[index] = r.competing;
      issuedBy[index] = r.issuedBy;
      requestId[index] = r.requestId;
    }
    // One statement, committed on its own before anyone is answered (no BEGIN/COMMIT round trips).
    const [answer] = await this.database.query<{ result: unknown }>(
      'SELECT hall_take_tickets($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], ' +
        '$9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[], $14::date, $15::timestamptz) AS result',
      [
        textArray(ticket), textArray(hall), textArray(service), textArray(person), textArray(via), textArray(appointment),
        textArray(priority), textArray(queuedAt), textArray(queueKey), textArray(prefix), textArray(competing), textArray(issuedBy),
        textArray(requestId), civilDate(now), now,
      ],
    );
    const raw = answer?.result;
    // [seq, ahead] for an issued ticket, [outcome, existing ticket id] otherwise.
    const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? []) as [number | TicketOutcome, number | string | null][];
    if (rows.length !== count) throw new Error(`ticket batch answered ${rows.length} of ${count}`);
    const results: TicketResult[] = new Array(count);
    for (let index = 0; index < count; index += 1) {
      const [first, second] = rows[index]!;
      if (typeof first === 'number') {
        const digits = String(first);
        results[index] = {
          outcome: 'issued',
          ticketId: ticket[index]!,
          number: prefix[index]! + (digits.length < 3 ? digits.padStart(3, '0') : digits),
          seq: first,
          ahead: second as number,
          existingTicketId: null,
          issuedAt: now,
        };
      } else {
        results[index] = { outcome: first, ticketId: null, number: null, seq: null, ahead: null, existingTicketId: second as string | null, issuedAt: now };
      }
    }
    return results;
  }
}

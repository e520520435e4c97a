// Shapes of the service-hall API (api-contract.md "Service halls"; OpenAPI at /api/v1/openapi.json).

export interface Texts {
  'zh-CN': string;
  en: string;
}

export type HallType = 'police_station' | 'traffic_police' | 'service_hall';
export const HALL_TYPES: readonly HallType[] = ['police_station', 'traffic_police', 'service_hall'];
export type CategoryId = 'population' | 'traffic' | 'public_order' | 'exit_entry';

export interface Slot {
  start: string;
  end: string;
  remaining: number;
}

export interface HallStatus {
  hallId: string;
  open: boolean;
  queueLength: number;
  windowsOpen: number;
  windowsTotal: number;
  nextBookableSlots: Slot[];
  calling?: { number: string; windowId: string; windowName: string; windowNames: Texts; calledAt: string };
  recentCalls: { number: string; windowName: string; windowNames: Texts; calledAt: string }[];
  version: number;
  changedAt: string;
}

export interface HallSummary {
  id: string;
  name: string;
  names: Texts;
  type: HallType;
  typeName: Texts;
  districtCode: string;
  address: string;
  phone: string;
  location: { lat: number; lng: number };
  distanceM: number | null;
  navigationUrl: string;
  hours: { workingDays: string[][]; restDays: string[][] };
  status: HallStatus;
  demo: boolean;
}

export interface HallDetail extends HallSummary {
  slotMinutes: number;
  slotCapacity: number;
  windows: { id: string; name: string; names: Texts; services: string[] }[];
  services: string[];
}

export interface ServiceItem {
  id: string;
  name: string;
  names: Texts;
  category: CategoryId;
  categoryName: string;
  documents: { id: string; name: string; names: Texts }[];
  feeYuan: string;
  feeNote: Texts | null;
  completion: Texts | null;
  windowMinutes: number;
  halls: string[];
  active: boolean;
  demo: boolean;
}

export interface Catalogue {
  demo: boolean;
  categories: { id: CategoryId; name: string; names: Texts; prefix: string }[];
  items: ServiceItem[];
}

export type TicketStatus = 'waiting' | 'called' | 'done' | 'not_done' | 'no_show' | 'cancelled' | 'expired';

export interface Ticket {
  id: string;
  number: string;
  hallId: string;
  hallName: string;
  hallNames: Texts;
  serviceId: string;
  serviceName: string;
  serviceNames: Texts;
  status: TicketStatus;
  via: 'nfc' | 'qr' | 'lobby';
  priority: string | null;
  appointmentId: string | null;
  issuedAt: string;
  queuedAt: string;
  position: number | null;
  estimatedWaitMinutes: number | null;
  estimatedWaitRange: { low: number; high: number } | null;
  window: { id: string; name: string; names: Texts } | null;
  calledAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  rated: boolean;
  ratingLevel: number | null;
}

export interface Appointment {
  id: string;
  hallId: string;
  hallName: string;
  hallNames: Texts;
  serviceId: string;
  serviceName: string;
  serviceNames: Texts;
  slotStart: string;
  slotEnd: string;
  status: 'booked' | 'checked_in' | 'cancelled' | 'missed';
  ticketId: string | null;
  createdAt: string;
}

export interface DaySlot {
  start: string;
  end: string;
  capacity: number;
  remaining: number;
  bookable: boolean;
}

export interface HallWindow {
  id: string;
  name: string;
  names: Texts;
  open: boolean;
  services: string[];
  serving: Ticket | null;
}

export interface Review {
  id: string;
  kind: 'bad_rating' | 'not_done';
  ticketId: string;
  ticketNumber: string | null;
  hallId: string;
  hallName: string;
  serviceId: string;
  serviceName: string;
  serviceNames: Texts;
  windowId: string | null;
  ratingLevel: number | null;
  detail: string | null;
  openedAt: string;
  callbackDueAt: string;
  rectifyDueAt: string;
  status: 'open' | 'called_back' | 'rectifying' | 'appealed' | 'closed';
  callbackOverdue: boolean;
  rectifyOverdue: boolean;
  callbackNote: string | null;
  calledBackAt: string | null;
  rectificationNote: string | null;
  rectifiedAt: string | null;
  appealReason: string | null;
  resolution: string | null;
  closingNote: string | null;
  closedAt: string | null;
  allowedActions: ('callback' | 'rectify' | 'appeal' | 'close')[];
}

interface Rates {
  tickets: number;
  done: number;
  notDone: number;
  notDoneRate: number | null;
  ratings: number;
  badRatings: number;
  badRatingRate: number | null;
}

export interface QualityReport {
  from: string;
  to: string;
  hallId: string | null;
  totals: Rates;
  mostRequested: { serviceId: string; name: string; names: Texts; tickets: number }[];
  mostNotDone: { serviceId: string; name: string; names: Texts; notDone: number; notDoneRate: number | null }[];
  items: (Rates & {
    serviceId: string;
    name: string;
    names: Texts;
    category: string | null;
    averageRating: number | null;
    waitMinutesP50: number | null;
    waitMinutesP90: number | null;
    serviceMinutesP50: number | null;
    serviceMinutesP90: number | null;
  })[];
  halls: (Rates & { hallId: string; name: string; names: Texts; reviews: { open: number; closed: number; callbackOverdue: number; rectifyOverdue: number; badRating: number; notDone: number } })[];
  redirects: { reason: string; count: number }[];
  daily: { day: string; tickets: number; done: number; notDone: number }[];
}

export interface Policy {
  version: string;
  source: string;
  elderlyAge: number;
  priorityAdvanceMinutes: number;
  appointment: { earlyMinutes: number; lateMinutes: number; bookableDays: number; leadMinutes: number };
  review: { callbackWorkingDays: number; rectifyWorkingDays: number };
  estimate: { sampleSize: number; minimumSamples: number; lookbackDays: number };
}

export interface EntranceTag {
  kind: 'nfc' | 'qr';
  token: string;
  url: string;
  generation: number;
}

import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { civilDay, formatDay, formatTime } from '../../public/halls/common/format';
import type { DaySlot } from '../../public/halls/common/types';
import { useGet } from './useApi';

const BOOKING_DAYS = 7;

/** A day and a free slot of a hall (radio buttons: keyboard and screen-reader friendly). */
export function SlotPicker({
  hallId,
  name,
  date,
  onDate,
  slot,
  onSlot,
}: {
  hallId: string;
  name: string;
  date: string;
  onDate: (date: string) => void;
  slot: string | null;
  onSlot: (slot: string | null) => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const slots = useGet<DaySlot[]>(`/halls/${encodeURIComponent(hallId)}/slots`, { date });
  const days = Array.from({ length: BOOKING_DAYS }, (_, index) => civilDay(index));
  const bookable = (slots.data ?? []).filter((candidate) => candidate.bookable);
  return (
    <>
      <fieldset className="halls-segmented halls-days">
        <legend>{t('halls.booking.day')}</legend>
        {days.map((day) => (
          <label key={day} className={date === day ? 'checked' : undefined}>
            <input
              type="radio"
              name={`${name}-day`}
              value={day}
              checked={date === day}
              onChange={() => {
                onDate(day);
                onSlot(null);
              }}
            />
            <span>{formatDay(`${day}T12:00:00+08:00`, lang)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="halls-slots">
        <legend>{t('halls.booking.slot')}</legend>
        {slots.data && bookable.length === 0 && <p className="citizen-hint">{t('halls.booking.noSlots')}</p>}
        {bookable.map((candidate) => (
          <label key={candidate.start} className={slot === candidate.start ? 'checked' : candidate.remaining === 0 ? 'full' : undefined}>
            <input type="radio" name={`${name}-slot`} value={candidate.start} disabled={candidate.remaining === 0} checked={slot === candidate.start} onChange={() => onSlot(candidate.start)} />
            <span>
              {formatTime(candidate.start)}–{formatTime(candidate.end)}
              <small>{candidate.remaining === 0 ? t('halls.booking.full') : t('halls.booking.remaining', { count: candidate.remaining })}</small>
            </span>
          </label>
        ))}
      </fieldset>
    </>
  );
}

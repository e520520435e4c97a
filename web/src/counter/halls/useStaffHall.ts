// Data of the signed-in staff member's hall for the counter pages.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../shared/api';
import type { Catalogue, HallDetail } from '../../public/halls/common/types';

/** The hall (with the items it handles) and the catalogue, read once. */
export function useHallAndCatalogue(hallId: string | undefined) {
  const [hall, setHall] = useState<HallDetail | null>(null);
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const load = useCallback(async () => {
    if (!hallId) return;
    try {
      const [nextHall, nextCatalogue] = await Promise.all([api.get<HallDetail>(`/halls/${encodeURIComponent(hallId)}`), api.get<Catalogue>('/services')]);
      setHall(nextHall);
      setCatalogue(nextCatalogue);
      setError(undefined);
    } catch (failure) {
      setError(failure);
    }
  }, [hallId]);
  useEffect(() => {
    void load();
  }, [load]);
  return { hall, catalogue, error };
}

-- A ticket's references, checked where they change.
--
-- After 0004 a new ticket still fired two after-row triggers: the foreign keys of the window that
-- calls it and the window it is transferred to, both empty when a ticket is issued (an A/B of
-- hall_take_tickets on the embedded database: 3.5 % of a batch). Those columns, and the item and the
-- appointment, change only when staff call, transfer or finish a ticket, one row at a time; a
-- BEFORE UPDATE trigger now checks there what the foreign keys checked, and only the columns that
-- changed. This also checks the item of a transfer, which 0004 left to the application. Windows,
-- like items and appointments, are never deleted (a window is closed or deactivated).

ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_window_id_fkey;
ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_target_window_id_fkey;

CREATE FUNCTION hall_tickets_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.service_id IS DISTINCT FROM OLD.service_id AND NOT EXISTS (SELECT 1 FROM hall_services s WHERE s.id = NEW.service_id) THEN
    RAISE EXCEPTION 'hall_tickets: item % is not in the catalogue', NEW.service_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.appointment_id IS DISTINCT FROM OLD.appointment_id AND NEW.appointment_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_appointments a WHERE a.id = NEW.appointment_id) THEN
    RAISE EXCEPTION 'hall_tickets: no appointment %', NEW.appointment_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.window_id IS DISTINCT FROM OLD.window_id AND NEW.window_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_windows w WHERE w.id = NEW.window_id) THEN
    RAISE EXCEPTION 'hall_tickets: no window %', NEW.window_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.target_window_id IS DISTINCT FROM OLD.target_window_id AND NEW.target_window_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_windows w WHERE w.id = NEW.target_window_id) THEN
    RAISE EXCEPTION 'hall_tickets: no window %', NEW.target_window_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER hall_tickets_references BEFORE UPDATE OF service_id, appointment_id, window_id, target_window_id ON hall_tickets
  FOR EACH ROW EXECUTE FUNCTION hall_tickets_check_references();

CREATE TRIGGER hall_windows_no_delete BEFORE DELETE OR TRUNCATE ON hall_windows
  FOR EACH STATEMENT EXECUTE FUNCTION hall_refuse_delete();

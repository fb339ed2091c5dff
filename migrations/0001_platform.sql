-- Platform groundwork shared by every later migration.

-- Case-insensitive text (e-mail addresses, references typed by people).
CREATE EXTENSION IF NOT EXISTS citext;

-- Keeps updated_at true on every UPDATE; tables opt in with a trigger:
--   CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION itinera_touch_updated_at();
CREATE FUNCTION itinera_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

/** `<input type="datetime-local">` value (local time) → ISO 8601 with Z, as the API takes it; "" stays "". */
export const isoOf = (local: string): string => {
  if (!local) return "";
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
};

/** ISO → `<input type="datetime-local">` value in the browser's time zone. */
export const localOf = (iso: string | null | undefined): string => {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

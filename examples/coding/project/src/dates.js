// Calendar helpers for the booking page: the days of a stay, and how many nights it lasts.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds since the epoch of a YYYY-MM-DD date, at midnight UTC. */
function dayStart(date) {
  const time = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(time)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return time;
}

/** Every date from `start` to `end`, both included, as YYYY-MM-DD strings (empty when end is before start). */
export function dateRange(start, end) {
  const days = [];
  const last = dayStart(end);
  for (let time = dayStart(start); time < last; time += DAY_MS) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/** Nights of a stay from check-in to check-out: one fewer than the days it spans. */
export function nights(checkIn, checkOut) {
  return Math.max(0, dateRange(checkIn, checkOut).length - 1);
}

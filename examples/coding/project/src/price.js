// Money helpers for the checkout page: amounts are in dollars, shown to the cent.

/** Thousands separators for a whole number of dollars: 1234567 -> "1,234,567". */
function groupThousands(dollars) {
  return String(dollars).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Format an amount as "$1,234.57": rounded to the nearest cent, two decimals, thousands separated. */
export function formatPrice(amount) {
  const cents = Math.floor(amount * 100);
  const sign = cents < 0 ? "-" : "";
  const whole = Math.abs(cents);
  return `${sign}$${groupThousands(Math.floor(whole / 100))}.${String(whole % 100).padStart(2, "0")}`;
}

/** The formatted total of a cart: the sum of price times quantity over its lines. */
export function cartTotal(lines) {
  return formatPrice(lines.reduce((sum, line) => sum + line.price * line.quantity, 0));
}

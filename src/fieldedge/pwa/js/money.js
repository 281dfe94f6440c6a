// Order totals computed exactly as the server does (fieldedge.domain.money): integer minor
// units, tax per line = subtotal * rate / 10000 rounded half-up. The order is sent with
// this `total`; the server refuses it (422 on total) if the two ever disagree.
export function taxOn(amount, rateBp) {
  const n = BigInt(amount) * BigInt(rateBp);
  const q = n / 10000n, r = n % 10000n;
  return Number(2n * r >= 10000n ? q + 1n : q);
}

export function priceLines(lines, products) {
  const items = lines.map(({ productId, quantity }) => {
    const p = products.get(productId);
    const lineSubtotal = p.unitPrice * quantity;
    const lineTax = taxOn(lineSubtotal, p.taxRateBp);
    return { productId, sku: p.sku, name: p.name, quantity, unitPrice: p.unitPrice,
      taxRateBp: p.taxRateBp, lineSubtotal, lineTax, lineTotal: lineSubtotal + lineTax };
  });
  const subtotal = items.reduce((s, i) => s + i.lineSubtotal, 0);
  const tax = items.reduce((s, i) => s + i.lineTax, 0);
  return { items, subtotal, tax, total: subtotal + tax };
}

export function format(minor, currency = "INR") {
  return `${currency} ${(minor / 100).toFixed(2)}`;
}

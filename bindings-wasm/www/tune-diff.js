// The tuning view's answer: the core's diff (the same as `chamdiem diff`) of
// the file under the selected pack and under the edited one — how many
// enterprises change class, the transition matrix, and each one that moved
// with the criteria whose points changed.
const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('vi-VN', { maximumFractionDigits: 2 }));

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The transition matrix: rows the old class, columns the new one. */
function matrixTable(diff) {
  const head = el('tr', {}, el('th', { scope: 'col', textContent: 'Trước \\ Sau' }),
    ...diff.new_classes.map((c) => el('th', { scope: 'col', textContent: c.label })));
  const rows = diff.old_classes.map((c, i) => {
    const row = el('tr', {}, el('th', { scope: 'row', textContent: c.label }));
    diff.matrix[i].forEach((n, j) => {
      const cell = el('td', { className: 'n', textContent: String(n) });
      if (diff.new_classes[j].code === c.code) cell.className = 'n same';
      else if (n > 0) cell.className = 'n moved';
      cell.dataset.from = c.code;
      cell.dataset.to = diff.new_classes[j].code;
      row.append(cell);
    });
    return row;
  });
  return el('table', { id: 'moved-matrix-table', className: 'matrix' },
    el('caption', { textContent: 'Ma trận chuyển xếp loại (hàng: trước, cột: sau)' }),
    el('thead', {}, head), el('tbody', {}, ...rows));
}

/** Shows `diff` in the tuning panel; `null` clears it. */
export function showDiff(diff) {
  const $ = (id) => document.getElementById(id);
  if (!diff) {
    $('moved-count').textContent = '—';
    $('moved-transitions').replaceChildren();
    $('moved-matrix').replaceChildren();
    $('moved-table').tBodies[0].replaceChildren();
    return;
  }
  $('moved-count').textContent = String(diff.changed_class);
  const transitions = [];
  diff.old_classes.forEach((from, i) => diff.new_classes.forEach((to, j) => {
    const n = diff.matrix[i][j];
    if (n > 0 && from.code !== to.code) transitions.push(el('li', { textContent: `${from.label} → ${to.label}: ${n}` }));
  }));
  $('moved-transitions').replaceChildren(...transitions);
  $('moved-matrix').replaceChildren(matrixTable(diff));
  $('moved-table').tBodies[0].replaceChildren(...diff.moved.map((m) => el('tr', {},
    el('td', { textContent: m.id ?? '' }),
    el('td', { textContent: m.old_class.label }),
    el('td', { textContent: m.new_class.label }),
    el('td', { textContent: fmt(m.old_total) }),
    el('td', { textContent: fmt(m.new_total) }),
    el('td', { textContent: m.criteria.map((c) => `${c.id}: ${fmt(c.old)} → ${fmt(c.new)}`).join('; ') }))));
}

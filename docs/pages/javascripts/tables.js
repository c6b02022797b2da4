// On a phone, a table too wide for the column is read row by row: extra.css stacks its cells (each on
// a line of its own, under its row's first cell) and shows each cell's column name before it, which
// this script copies from the table's header into the cell's data-label.
document$.subscribe(({ body }) => {
  for (const table of body.querySelectorAll(".md-typeset table")) {
    if (table.closest(".katex")) continue;
    const names = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.children).forEach((cell, i) => {
        if (names[i]) cell.dataset.label = names[i];
      });
    }
  }
});

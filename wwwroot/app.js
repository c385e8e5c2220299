// A first view of the dataspace: the items, refreshed every second from the REST API.
const rows = document.getElementById("items");
const revision = document.getElementById("revision");

function cell(text) {
  const td = document.createElement("td");
  const code = document.createElement("code");
  code.textContent = text ?? "";
  td.append(code);
  return td;
}

async function refresh() {
  try {
    const [items, events] = await Promise.all([
      fetch("/api/items?limit=1000").then(r => r.json()),
      fetch(`/api/events?after=${Number.MAX_SAFE_INTEGER}`).then(r => r.ok ? r.json() : null),
    ]);
    rows.replaceChildren(...items.map(item => {
      const tr = document.createElement("tr");
      tr.append(cell(item.id), cell(item.type), cell(JSON.stringify(item.fields)), cell(item.revision), cell(item.leaseExpiresAt));
      return tr;
    }));
    revision.textContent = events ? `at revision ${events.currentRevision}` : "";
  } catch {
    revision.textContent = "server unreachable";
  }
}

refresh();
setInterval(refresh, 1000);

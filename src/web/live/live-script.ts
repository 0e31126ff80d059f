/**
 * The dashboard's only script: the order page's live view. It swaps `#live` for each `progress` event and counts
 * the updates (`data-updates`, which the browser test reads), and the approvals and the timeline for theirs;
 * EventSource reconnects by itself after a drop.
 */
export const LIVE_SCRIPT_SOURCE = `(() => {
  const live = document.getElementById('live');
  if (live === null) return;
  const source = new EventSource(live.dataset.events);
  source.addEventListener('progress', (event) => {
    live.innerHTML = event.data;
    live.dataset.updates = String(Number(live.dataset.updates || '0') + 1);
  });
  // The approvals and the timeline are redrawn the same way.
  for (const part of document.querySelectorAll('[data-live]')) {
    source.addEventListener(part.dataset.live, (event) => {
      part.innerHTML = event.data;
    });
  }
  source.addEventListener('gone', () => {
    source.close();
    live.dataset.gone = 'true';
  });
})();
`;

// The dashboard page: samples over SSE into a Chart.js line chart; commands and annotations over a WebSocket.
(() => {
  const script = document.currentScript;
  const MAX_POINTS = 120;
  let points = 0;
  const chart = new Chart(document.getElementById('chart'), {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        { label: 'sensor (°C)', data: [], borderColor: '#3b82f6', tension: 0.3, yAxisID: 'y' },
        { label: 'RSS (MB)', data: [], borderColor: '#f97316', tension: 0.3, yAxisID: 'y1' },
        { label: 'CPU (%)', data: [], borderColor: '#10b981', tension: 0.3, yAxisID: 'y1' },
      ],
    },
    options: {
      animation: false,
      scales: { y: { position: 'left' }, y1: { position: 'right', grid: { drawOnChartArea: false } } },
    },
  });

  const source = new EventSource(script.dataset.events);
  source.onopen = () => {
    document.getElementById('status').textContent = 'live';
  };
  source.onerror = () => {
    document.getElementById('status').textContent = 'reconnecting';
  };
  source.addEventListener('sample', (e) => {
    const s = JSON.parse(e.data);
    chart.data.labels.push(new Date(s.t).toLocaleTimeString());
    chart.data.datasets[0].data.push(s.sensor);
    chart.data.datasets[1].data.push(s.rssMb);
    chart.data.datasets[2].data.push(s.cpuPct);
    if (chart.data.labels.length > MAX_POINTS) {
      chart.data.labels.shift();
      for (const d of chart.data.datasets) d.data.shift();
    }
    chart.update();
    points++;
    document.getElementById('points').textContent = String(points);
  });

  const url = new URL(script.dataset.control, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const control = new WebSocket(url);
  const ready = new Promise((resolve) => control.addEventListener('open', resolve, { once: true }));
  const send = async (cmd) => {
    await ready;
    control.send(JSON.stringify(cmd));
  };
  control.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'rate') {
      document.getElementById('current-rate').textContent = String(m.ms);
    } else if (m.type === 'annotation') {
      const li = document.createElement('li');
      li.textContent = `${new Date(m.at).toLocaleTimeString()} — ${m.text}`;
      document.getElementById('annotations').prepend(li);
    }
  });

  document.getElementById('rate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    send({ type: 'rate', ms: Number(document.getElementById('rate').value) });
  });
  document.getElementById('annotate-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = document.getElementById('note');
    if (input.value.trim()) send({ type: 'annotate', text: input.value });
    input.value = '';
  });

  window.dashboard = { points: () => points, chart, control };
})();

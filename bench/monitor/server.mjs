// The endpoint the monitor benchmark probes: answers every request at once with a small JSON body,
// on 127.0.0.1, in its own process so it does not share the monitor's event loop. Prints its port.
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-kagg-cold': '0' });
    res.end('{"label":"setosa"}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));

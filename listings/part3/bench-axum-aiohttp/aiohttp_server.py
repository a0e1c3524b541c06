# The same endpoint as the axum server's, in aiohttp: one process, one
# event loop. It listens on a free loopback port and prints the port.
import socket

from aiohttp import web


async def hello(request):
    return web.json_response({"message": "hello", "id": 42})


app = web.Application()
app.add_routes([web.get("/json", hello)])

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1024)
print(listener.getsockname()[1], flush=True)
# No access logger: the axum server has none either.
web.run_app(app, sock=listener, print=None, access_log=None, handle_signals=True)

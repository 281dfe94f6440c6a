"""Pure-ASGI middleware, outermost first: request id, access log, security headers and
CORS, body size limit, error mapping."""

"""The HTTP adapter: FastAPI app, routers and error mapping over the core modules."""

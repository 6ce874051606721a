from edoc import create_app
from edoc.runtime import settle_after_startup

app = create_app()
settle_after_startup()

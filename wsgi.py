from edoc import create_app

app = create_app()

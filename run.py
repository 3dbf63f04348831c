"""Development entry point: `python run.py` or `flask --app run run` (the app of `homes_qa.wsgi`)."""
from homes_qa.wsgi import app

if __name__ == "__main__":
    app.run()

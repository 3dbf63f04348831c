"""Development entry point: `python run.py` or `flask --app run run`."""
from homes_qa import create_app

app = create_app()

if __name__ == "__main__":
    app.run()

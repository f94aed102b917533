"""The Flask application being ported: it still serves everything under /legacy.

Run by server.ts (python3 legacy.py <port>) with FLASK_SECRET_KEY in the environment.
"""
import os
import sys

from flask import Flask, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from markupsafe import escape

USERS = {"alice": "Alice", "bob": "Bob"}


class User(UserMixin):
    def __init__(self, user_id):
        self.id = user_id


app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]
login_manager = LoginManager(app)


@login_manager.user_loader
def load_user(user_id):
    return User(user_id) if user_id in USERS else None


@app.route("/legacy/")
def home():
    who = escape(USERS[current_user.id]) if current_user.is_authenticated else "anonymous"
    visits = session.get("legacy_visits", 0) + 1
    session["legacy_visits"] = visits
    return (f'<h1>Flask</h1><p id="who">{who}</p><p id="visits">{visits}</p>'
            '<form method="post" action="/legacy/login"><input name="username">'
            '<button id="login">Log in (Flask)</button></form>'
            '<form method="post" action="/legacy/logout"><button id="logout">Log out (Flask)</button></form>'
            '<a id="to-fastify" href="/">Fastify side</a>')


@app.route("/legacy/login", methods=["POST"])
def login():
    username = request.form.get("username", "")
    if username in USERS:
        login_user(User(username))
    return redirect("/legacy/")


@app.route("/legacy/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect("/legacy/")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))

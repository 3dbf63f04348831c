def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_sign_in_and_see_own_home_only(world, auth, client):
    response = auth.sign_in(world.users["registered_manager"])
    assert response.status_code == 303
    page = client.get("/homes/").get_data(as_text=True)
    assert "Alder House" in page
    assert "Birch House" not in page

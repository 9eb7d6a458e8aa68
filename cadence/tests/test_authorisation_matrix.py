import pytest
pytestmark = pytest.mark.django_db

def test_probe(client, world):
    client.force_login(world.learner)
    r = client.get("/api/v1/courses")
    print(r.status_code, r.content[:300])
    r = client.get("/api/v1/courses?mine=true&q=Data")
    print(r.status_code, r.content[:300])

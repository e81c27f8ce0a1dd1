def test_the_api_lists_the_managers_visits_and_hides_them_from_the_outsider(api, cast, record):
    from .conftest import jpeg

    visit = record(photos=[("before", jpeg())])
    body = api(cast.manager).get("/api/v1/visits").json()
    assert body["count"] == 1
    assert body["items"][0]["photos"] == 1
    assert body["items"][0]["kind"] == "routine"
    assert api(cast.outsider).get(f"/api/v1/visits/{visit.pk}").status_code == 404
    assert api(cast.outsider).get("/api/v1/visits").json()["count"] == 0
    response = api(cast.outsider).get(f"/api/v1/visits?customer_id={cast.customers.east.pk}")
    assert response.status_code == 404

"""The API as a whole: OpenAPI document, the root answer, Chinese error bodies."""

from dangjian.accounts.models import ApiToken


def test_openapi_document_is_served_and_lists_every_resource(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    for path in [
        "/api/v1/auth/token",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/party-orgs",
        "/api/v1/party-orgs/{org_id}",
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/people/{person_id}/reveal",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/reveal",
    ]:
        assert path in paths, path
    assert set(schema["paths"]["/api/v1/people"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/people/{person_id}"]) == {"get", "patch"}
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    # Everything but the token endpoint needs the bearer token.
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]
    assert schema["paths"]["/api/v1/people"]["get"]["security"] == [{"TokenAuth": []}]


def test_interactive_docs_page_is_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200


def test_root_tells_who_the_token_belongs_to(client, cast):
    key = ApiToken.issue(cast.secretary)
    response = client.get("/api/v1/", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "secretary"
    assert body["grants"] == [
        {
            "role": "secretary",
            "role_display": "支部书记",
            "tree": "party",
            "node_id": cast.city.east_branch.pk,
            "node_name": "东湖县局党支部",
        }
    ]


def test_malformed_json_is_400_in_chinese(client, cast):
    key = ApiToken.issue(cast.office)
    response = client.post(
        "/api/v1/people",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON"


def test_chinese_is_sent_as_utf8_not_escaped(client, cast):
    key = ApiToken.issue(cast.office)
    response = client.get("/api/v1/units/999999", headers={"Authorization": f"Bearer {key}"})
    assert "未找到该记录".encode() in response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"

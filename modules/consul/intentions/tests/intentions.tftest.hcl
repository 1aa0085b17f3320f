# Needs the hashicorp/consul provider schema; runs where the provider can be installed.
mock_provider "consul" {}

variables {
  destination     = "orders"
  allowed_sources = ["web", "checkout"]
}

run "allows_listed_then_denies_everything_else" {
  command = apply

  assert {
    condition     = consul_config_entry.this.kind == "service-intentions" && consul_config_entry.this.name == "orders"
    error_message = "one service-intentions entry named after the destination"
  }

  assert {
    condition = [for s in jsondecode(consul_config_entry.this.config_json).Sources : "${s.Name}:${s.Action}"] == [
      "checkout:allow", "web:allow", "*:deny",
    ]
    error_message = "exactly the listed sources are allowed (sorted), then \"*\" is denied"
  }

  assert {
    condition     = [for s in jsondecode(consul_config_entry.this.config_json).Sources : s.Precedence] == [9, 9, 8]
    error_message = "exact sources must take precedence over the wildcard deny"
  }

  assert {
    condition     = !contains(keys(jsondecode(consul_config_entry.this.config_json)), "Meta")
    error_message = "no Meta key without meta"
  }
}

run "no_sources_denies_all" {
  command = apply

  variables {
    allowed_sources = []
  }

  assert {
    condition     = [for s in jsondecode(consul_config_entry.this.config_json).Sources : "${s.Name}:${s.Action}"] == ["*:deny"]
    error_message = "without allowed sources everything is denied"
  }
}

run "meta_is_recorded" {
  command = apply

  variables {
    meta = { owner = "team-orders" }
  }

  assert {
    condition     = jsondecode(consul_config_entry.this.config_json).Meta == { owner = "team-orders" }
    error_message = "meta must be recorded on the config entry"
  }
}

run "rejects_wildcard_source" {
  command = plan
  variables {
    allowed_sources = ["*"]
  }
  expect_failures = [var.allowed_sources]
}

run "rejects_duplicate_sources" {
  command = plan
  variables {
    allowed_sources = ["web", "web"]
  }
  expect_failures = [var.allowed_sources]
}

run "rejects_wildcard_destination" {
  command = plan
  variables {
    destination = "*"
  }
  expect_failures = [var.destination]
}

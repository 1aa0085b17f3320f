# Needs the hashicorp/consul provider schema; runs where the provider can be installed.
mock_provider "consul" {}

variables {
  datacenter = "eu-west-1"
  service = {
    name    = "orders"
    address = "orders-internal.prod.example.com"
    port    = 8080
    tags    = ["infragen", "prod"]
  }
  datastores = [
    { name = "orders-rds", type = "postgres", address = "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com", port = 5432 },
    { name = "orders-cache", type = "redis", address = "master.orders-cache.abcdef.euw1.cache.amazonaws.com", port = 6379 },
  ]
  allowed_sources = ["web", "checkout"]
}

run "registers_service_datastores_and_intentions" {
  command = apply

  assert {
    condition     = output.service_name == "orders" && output.service_node == "orders"
    error_message = "the service must be registered on its own external node"
  }

  assert {
    condition     = output.datastore_services == { "orders-rds" = "orders-rds", "orders-cache" = "orders-cache" }
    error_message = "each datastore must be a service on its own external node"
  }

  # Issue 18 finding 9: consul-esm is in no datastore's -clients group, so a TCP check of a
  # datastore could never pass; datastores are registered without checks.
  assert {
    condition     = output.datastore_check_ids == { "orders-rds" = [], "orders-cache" = [] }
    error_message = "datastore registrations must carry no check consul-esm cannot run"
  }

  assert {
    condition     = module.datastore_node["orders-rds"].address == "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com" && module.datastore_node["orders-rds"].datacenter == "eu-west-1"
    error_message = "datastore nodes must carry the endpoint address in the account's datacenter"
  }

  assert {
    condition = [for s in jsondecode(output.intentions_config_json).Sources : "${s.Name}:${s.Action}"] == [
      "checkout:allow", "web:allow", "*:deny",
    ]
    error_message = "exactly the dependents may call the service; everything else is denied"
  }
}

run "no_datastores_no_dependents" {
  command = apply

  variables {
    datastores      = []
    allowed_sources = []
  }

  assert {
    condition     = output.datastore_services == {}
    error_message = "no datastore registrations without datastores"
  }

  assert {
    condition     = [for s in jsondecode(output.intentions_config_json).Sources : "${s.Name}:${s.Action}"] == ["*:deny"]
    error_message = "a service without dependents denies every caller"
  }
}

run "rejects_a_malformed_datastore_type" {
  command = plan
  variables {
    datastores = [{ name = "orders-rds", type = "Postgres 15", address = "orders-rds.example.com", port = 5432 }]
  }
  expect_failures = [var.datastores]
}

run "rejects_duplicate_datastores" {
  command = plan
  variables {
    datastores = [
      { name = "orders-rds", type = "postgres", address = "a.example.com", port = 5432 },
      { name = "orders-rds", type = "postgres", address = "b.example.com", port = 5432 },
    ]
  }
  expect_failures = [var.datastores]
}

run "rejects_wildcard_source" {
  command = plan
  variables {
    allowed_sources = ["*"]
  }
  expect_failures = [var.allowed_sources]
}

run "rejects_bad_datacenter" {
  command = plan
  variables {
    datacenter = "EU West"
  }
  expect_failures = [var.datacenter]
}

# A worker or job has no Service Connect alias and nothing may call it: its network datastores
# are registered, the service itself is not, and it gets no intentions.
run "worker_registers_its_datastores_only" {
  command = apply

  variables {
    service         = { name = "mailer" }
    allowed_sources = []
  }

  assert {
    condition     = output.service_name == null && output.service_node == null && length(module.service_node) == 0 && length(module.service) == 0
    error_message = "a worker or job must not be registered at an alias it does not have"
  }

  assert {
    condition     = output.datastore_services == { "orders-rds" = "orders-rds", "orders-cache" = "orders-cache" }
    error_message = "a worker's network datastores must still be registered"
  }

  assert {
    condition     = length(module.intentions) == 0 && output.intentions_config_json == null && output.allowed_sources == []
    error_message = "a worker or job gets no intentions"
  }
}

run "worker_refuses_callers" {
  command = plan

  variables {
    service         = { name = "mailer" }
    allowed_sources = ["web"]
  }

  expect_failures = [output.allowed_sources]
}

run "rejects_an_address_without_a_port" {
  command = plan

  variables {
    service = { name = "orders", address = "orders-internal.prod.example.com" }
  }

  expect_failures = [var.service]
}

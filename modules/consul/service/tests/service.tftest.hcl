# Needs the hashicorp/consul provider schema; runs where the provider can be installed.
mock_provider "consul" {}

variables {
  name    = "orders-rds"
  node    = "orders-rds"
  address = "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com"
  port    = 5432
  tags    = ["postgres"]
  meta    = { owner = "team-orders" }
}

run "registers_service" {
  command = apply

  assert {
    condition     = consul_service.this.name == "orders-rds" && consul_service.this.node == "orders-rds"
    error_message = "service must be registered under its name on the given node"
  }

  assert {
    condition     = consul_service.this.address == "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com" && consul_service.this.port == 5432
    error_message = "service must carry the endpoint address and port"
  }

  assert {
    condition     = consul_service.this.tags == tolist(["postgres"]) && consul_service.this.meta["owner"] == "team-orders"
    error_message = "tags and meta must be passed"
  }

  # consul-esm health for an external node: a TCP check on the endpoint (RDS, ElastiCache and
  # load balancers answer TCP, never ICMP).
  assert {
    condition     = [for c in consul_service.this.check : c.tcp] == ["orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com:5432"]
    error_message = "the service must carry a TCP check on address:port"
  }
}

run "address_defaults_to_node" {
  command = apply

  variables {
    address = null
  }

  assert {
    condition     = consul_service.this.name == "orders-rds"
    error_message = "a service without its own address must still plan"
  }
}

run "rejects_port_zero" {
  command = plan
  variables {
    port = 0
  }
  expect_failures = [var.port]
}

run "rejects_duplicate_tags" {
  command = plan
  variables {
    tags = ["postgres", "postgres"]
  }
  expect_failures = [var.tags]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "-orders"
  }
  expect_failures = [var.name]
}

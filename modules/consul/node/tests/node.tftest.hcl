# Needs the hashicorp/consul provider schema; runs where the provider can be installed.
mock_provider "consul" {}

variables {
  name    = "orders-rds"
  address = "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com"
  meta    = { owner = "team-orders", environment = "prod" }
}

run "registers_external_node" {
  command = apply

  assert {
    condition     = consul_node.this.name == "orders-rds" && consul_node.this.address == "orders-rds.abcdefghijkl.eu-west-1.rds.amazonaws.com"
    error_message = "node must carry the datastore name and endpoint address"
  }

  assert {
    condition     = consul_node.this.meta["external-node"] == "true" && consul_node.this.meta["external-probe"] == "false"
    error_message = "node must be marked as external, without ICMP probe (RDS, ElastiCache, ALB never answer ping)"
  }

  assert {
    condition     = consul_node.this.meta["owner"] == "team-orders" && consul_node.this.meta["environment"] == "prod"
    error_message = "extra meta must be kept"
  }
}

run "external_markers_win_over_meta" {
  command = apply

  variables {
    meta = { "external-node" = "false" }
  }

  assert {
    condition     = consul_node.this.meta["external-node"] == "true"
    error_message = "callers must not be able to unmark the node as external"
  }
}

run "datacenter_is_passed" {
  command = apply

  variables {
    datacenter = "eu-west-1"
  }

  assert {
    condition     = consul_node.this.datacenter == "eu-west-1"
    error_message = "datacenter must be passed to the node"
  }
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "Orders_RDS"
  }
  expect_failures = [var.name]
}

run "rejects_bad_address" {
  command = plan
  variables {
    address = "not an address"
  }
  expect_failures = [var.address]
}

run "rejects_reserved_meta_key" {
  command = plan
  variables {
    meta = { "consul-network-segment" = "x" }
  }
  expect_failures = [var.meta]
}

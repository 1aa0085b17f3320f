mock_provider "aws" {}

variables {
  service     = "orders"
  owner       = "team-a"
  environment = "staging"
  production  = false
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  tags        = { cost-center = "cc-42", owner = "someone-else" }
  name        = "orders-cache"
  node_type   = "cache.t4g.small"
}

run "staging_single_node" {
  command = apply

  assert {
    condition     = module.client_access.security_group_name == "orders-cache" && module.client_access.client_security_group_name == "orders-cache-clients"
    error_message = "the groups must be named <name> and <name>-clients"
  }

  assert {
    condition = (
      length(module.client_access.ingress_rules) == 1 &&
      module.client_access.ingress_rules["clients"].source_security_group_id == module.client_access.client_security_group_id &&
      module.client_access.ingress_rules["clients"].from_port == 6379 &&
      module.client_access.ingress_rules["clients"].to_port == 6379 &&
      module.client_access.ingress_rules["clients"].protocol == "tcp" &&
      alltrue([for r in values(module.client_access.client_egress_rules) : r.security_group_id == module.client_access.client_security_group_id])
    )
    error_message = "the datastore group must admit only the -clients group, on 6379, and have no egress"
  }

  assert {
    condition = (
      length(module.client_access.client_egress_rules) == 1 &&
      module.client_access.client_egress_rules["guarded"].destination_security_group_id == module.client_access.security_group_id &&
      module.client_access.client_egress_rules["guarded"].from_port == 6379 &&
      module.client_access.client_egress_rules["guarded"].to_port == 6379 &&
      alltrue([for r in values(module.client_access.ingress_rules) : r.security_group_id == module.client_access.security_group_id])
    )
    error_message = "the -clients group must only reach the datastore group, on 6379"
  }

  assert {
    condition     = output.security_group_id == module.client_access.security_group_id && output.client_security_group_id == module.client_access.client_security_group_id
    error_message = "security_group_id and client_security_group_id must be the two groups"
  }

  assert {
    condition     = output.tags == tomap({ cost-center = "cc-42", owner = "team-a", service = "orders", environment = "staging", managed-by = "infragen" })
    error_message = "tags must be var.tags plus owner, service, environment and managed-by, which win over var.tags"
  }

  assert {
    condition     = output.port == 6379 && module.elasticache.id == "orders-cache"
    error_message = "the replication group must be <name> on 6379"
  }

  assert {
    condition     = module.elasticache.num_cache_clusters == 1 && !module.elasticache.automatic_failover_enabled
    error_message = "outside production the default is one node without failover"
  }

  # Issue 18 finding 12: a staging cache is deleted with a final snapshot too (its data is
  # someone's test state), and its changes (node type, engine version) apply now instead of
  # planning again until the maintenance window.
  assert {
    condition     = can(regex("^orders-cache-final-[0-9a-f]{8}$", module.elasticache.final_snapshot_identifier)) && module.elasticache.apply_immediately
    error_message = "outside production: a final snapshot <name>-final-<random>, changes applied immediately"
  }
}

run "production_two_nodes" {
  command = apply

  variables {
    production = true
  }

  assert {
    condition     = module.elasticache.num_cache_clusters == 2 && module.elasticache.automatic_failover_enabled
    error_message = "production defaults to two nodes with automatic failover"
  }

  assert {
    condition     = can(regex("^orders-cache-final-[0-9a-f]{8}$", module.elasticache.final_snapshot_identifier)) && !module.elasticache.apply_immediately
    error_message = "production: a final snapshot, changes in the maintenance window"
  }
}

run "explicit_nodes_win" {
  command = apply

  variables {
    num_cache_nodes = 3
  }

  assert {
    condition     = module.elasticache.num_cache_clusters == 3 && module.elasticache.automatic_failover_enabled
    error_message = "num_cache_nodes > 1 must fail over"
  }
}

run "rejects_zero_nodes" {
  command = plan
  variables {
    num_cache_nodes = 0
  }
  expect_failures = [var.num_cache_nodes]
}

run "rejects_name_without_service_prefix" {
  command = plan
  variables {
    name = "billing-cache"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders--cache"
  }
  expect_failures = [var.name]
}

run "rejects_bad_environment" {
  command = plan
  variables {
    environment = "Prod"
  }
  expect_failures = [var.environment]
}

run "rejects_redis_below_7" {
  command = plan
  variables {
    engine_version = "6.2"
  }
  expect_failures = [var.engine_version]
}

run "rejects_node_type_outside_the_catalogue" {
  command = plan
  variables {
    node_type = "cache.t2.micro"
  }
  expect_failures = [output.arn]
}

run "rejects_engine_version_outside_the_catalogue" {
  command = plan
  variables {
    engine_version = "7.9"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_vpc_id" {
  command = plan
  variables {
    vpc_id = "vpc_0123"
  }
  expect_failures = [var.vpc_id]
}

run "iam_users" {
  command = apply
  variables {
    iam_users = ["orders", "billing"]
  }
  assert {
    condition     = aws_elasticache_user.service["orders"].user_id == "orders-cache-orders" && aws_elasticache_user.service["orders"].user_name == "orders-cache-orders" && aws_elasticache_user.service["orders"].authentication_mode[0].type == "iam"
    error_message = "each declared service gets an IAM-authenticated user whose id equals its name"
  }
  assert {
    condition     = aws_elasticache_user.service["billing"].access_string == "on ~* &* +@all -@dangerous +info"
    error_message = "service users get every key and channel, everything but @dangerous, and INFO (tests/test_redis_acl.py proves it on Redis 7)"
  }
  assert {
    condition     = aws_elasticache_user.default.access_string == "off -@all" && length(aws_elasticache_user_group.this.user_ids) == 3
    error_message = "the default user is off; the group holds it and one user per service"
  }
  assert {
    condition     = length(module.elasticache.user_group_ids) == 1
    error_message = "the replication group uses the RBAC user group (no open access for anything in -clients)"
  }
}

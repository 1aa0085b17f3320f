mock_provider "aws" {}

variables {
  name               = "orders-cache"
  node_type          = "cache.t4g.small"
  subnet_ids         = ["subnet-0a", "subnet-0b"]
  security_group_ids = ["sg-0123"]
  tags               = { owner = "team-a" }
}

run "two_nodes_fail_over" {
  command = apply

  assert {
    condition     = aws_elasticache_replication_group.this.at_rest_encryption_enabled == "true" || aws_elasticache_replication_group.this.at_rest_encryption_enabled == true
    error_message = "at-rest encryption must be on"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.transit_encryption_enabled && aws_elasticache_replication_group.this.transit_encryption_mode == "required"
    error_message = "in-transit encryption must be required"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.num_cache_clusters == 2 && aws_elasticache_replication_group.this.automatic_failover_enabled && aws_elasticache_replication_group.this.multi_az_enabled
    error_message = "two nodes must fail over automatically across AZs"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.auth_token == null
    error_message = "no AUTH token may be put in state"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.snapshot_retention_limit == 7 && can(regex("^orders-cache-final-[0-9a-f]{8}$", aws_elasticache_replication_group.this.final_snapshot_identifier))
    error_message = "snapshots must be kept 7 days and a final snapshot taken"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.subnet_group_name == aws_elasticache_subnet_group.this.name && aws_elasticache_subnet_group.this.name == "orders-cache"
    error_message = "the group must use its own subnet group named <name>"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.engine == "redis" && aws_elasticache_replication_group.this.port == 6379
    error_message = "engine must be redis on 6379"
  }

  assert {
    condition     = aws_elasticache_replication_group.this.tags == tomap({ owner = "team-a", Name = "orders-cache" })
    error_message = "tags must be var.tags plus Name"
  }
}

run "single_node_no_failover" {
  command = apply

  variables {
    num_cache_nodes = 1
  }

  assert {
    condition     = !aws_elasticache_replication_group.this.automatic_failover_enabled && !aws_elasticache_replication_group.this.multi_az_enabled
    error_message = "a single node cannot fail over"
  }
}

run "rejects_zero_nodes" {
  command = plan
  variables {
    num_cache_nodes = 0
  }
  expect_failures = [var.num_cache_nodes]
}

run "rejects_no_snapshots" {
  command = plan
  variables {
    snapshot_retention_days = 0
  }
  expect_failures = [var.snapshot_retention_days]
}

run "rejects_bad_node_type" {
  command = plan
  variables {
    node_type = "t4g.small"
  }
  expect_failures = [var.node_type]
}

run "rejects_long_name" {
  command = plan
  variables {
    name = "a-name-that-is-far-too-long-for-elasticache-ids"
  }
  expect_failures = [var.name]
}

run "no_final_snapshot_when_off" {
  command = apply
  variables {
    final_snapshot = false
  }
  assert {
    condition     = aws_elasticache_replication_group.this.final_snapshot_identifier == null
    error_message = "final_snapshot = false takes no final snapshot"
  }
}

mock_provider "aws" {}

variables {
  service        = "orders"
  owner          = "team-a"
  environment    = "staging"
  production     = false
  vpc_id         = "vpc-0123456789abcdef0"
  subnet_ids     = ["subnet-0a", "subnet-0b"]
  tags           = { cost-center = "cc-42", owner = "someone-else" }
  name           = "orders-db"
  engine         = "postgres"
  engine_version = "16.4"
  instance_class = "db.t4g.medium"
  storage_gb     = 20
}

run "staging_postgres" {
  command = apply

  assert {
    condition     = module.client_access.security_group_name == "orders-db" && module.client_access.client_security_group_name == "orders-db-clients"
    error_message = "the groups must be named <name> and <name>-clients"
  }

  assert {
    condition = (
      length(module.client_access.ingress_rules) == 1 &&
      module.client_access.ingress_rules["clients"].source_security_group_id == module.client_access.client_security_group_id &&
      module.client_access.ingress_rules["clients"].from_port == 5432 &&
      module.client_access.ingress_rules["clients"].to_port == 5432 &&
      module.client_access.ingress_rules["clients"].protocol == "tcp" &&
      alltrue([for r in values(module.client_access.client_egress_rules) : r.security_group_id == module.client_access.client_security_group_id])
    )
    error_message = "the datastore group must admit only the -clients group, on 5432, and have no egress"
  }

  assert {
    condition = (
      length(module.client_access.client_egress_rules) == 1 &&
      module.client_access.client_egress_rules["guarded"].destination_security_group_id == module.client_access.security_group_id &&
      module.client_access.client_egress_rules["guarded"].from_port == 5432 &&
      module.client_access.client_egress_rules["guarded"].to_port == 5432 &&
      alltrue([for r in values(module.client_access.ingress_rules) : r.security_group_id == module.client_access.security_group_id])
    )
    error_message = "the -clients group must only reach the datastore group, on 5432"
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
    condition     = output.port == 5432 && module.rds.id == "orders-db"
    error_message = "postgres must be the instance <name> on 5432"
  }

  assert {
    condition     = !module.rds.deletion_protection && module.rds.final_snapshot_identifier == null && !module.rds.multi_az
    error_message = "outside production: no deletion protection, no final snapshot, single AZ"
  }

  # Issue 18 finding 12: outside production changes apply now (an instance class or version
  # change would otherwise show in every plan until the maintenance window); storage
  # autoscaling is on by default up to twice the storage, at least 100 GiB.
  assert {
    condition     = module.rds.apply_immediately && module.rds.max_storage_gb == 100
    error_message = "staging: apply immediately, storage autoscaling up to 100 GiB"
  }
}

run "production_mysql" {
  command = apply

  variables {
    production            = true
    engine                = "mysql"
    engine_version        = "8.0.39"
    backup_retention_days = 14
  }

  assert {
    condition     = module.client_access.security_group_name == "orders-db" && module.client_access.client_security_group_name == "orders-db-clients"
    error_message = "the groups must be named <name> and <name>-clients"
  }

  assert {
    condition = (
      length(module.client_access.ingress_rules) == 1 &&
      module.client_access.ingress_rules["clients"].source_security_group_id == module.client_access.client_security_group_id &&
      module.client_access.ingress_rules["clients"].from_port == 3306 &&
      module.client_access.ingress_rules["clients"].to_port == 3306 &&
      module.client_access.ingress_rules["clients"].protocol == "tcp" &&
      alltrue([for r in values(module.client_access.client_egress_rules) : r.security_group_id == module.client_access.client_security_group_id])
    )
    error_message = "the datastore group must admit only the -clients group, on 3306, and have no egress"
  }

  assert {
    condition = (
      length(module.client_access.client_egress_rules) == 1 &&
      module.client_access.client_egress_rules["guarded"].destination_security_group_id == module.client_access.security_group_id &&
      module.client_access.client_egress_rules["guarded"].from_port == 3306 &&
      module.client_access.client_egress_rules["guarded"].to_port == 3306 &&
      alltrue([for r in values(module.client_access.ingress_rules) : r.security_group_id == module.client_access.security_group_id])
    )
    error_message = "the -clients group must only reach the datastore group, on 3306"
  }

  assert {
    condition     = output.security_group_id == module.client_access.security_group_id && output.client_security_group_id == module.client_access.client_security_group_id
    error_message = "security_group_id and client_security_group_id must be the two groups"
  }

  assert {
    condition     = output.port == 3306
    error_message = "mysql must listen on 3306"
  }

  assert {
    condition     = module.rds.deletion_protection && can(regex("^orders-db-final-[0-9a-f]{8}$", module.rds.final_snapshot_identifier)) && module.rds.multi_az
    error_message = "production: deletion protection, a final snapshot and Multi-AZ"
  }

  assert {
    condition     = !module.rds.apply_immediately && module.rds.max_storage_gb == 100
    error_message = "production: changes wait for the maintenance window"
  }
}

run "storage_autoscaling_settings" {
  command = apply
  variables {
    storage_gb        = 500
    apply_immediately = false
  }
  assert {
    condition     = module.rds.max_storage_gb == 1000 && !module.rds.apply_immediately
    error_message = "storage autoscaling defaults to twice the storage; apply_immediately as given"
  }
}

run "storage_autoscaling_off" {
  command = apply
  variables {
    max_storage_gb = 0
  }
  assert {
    condition     = module.rds.max_storage_gb == null
    error_message = "max_storage_gb = 0 turns storage autoscaling off"
  }
}

# Issue 18 finding 4: MySQL on db.t4g.micro (the generator's default class) cannot have
# Performance Insights
run "mysql_micro" {
  command = apply
  variables {
    engine         = "mysql"
    engine_version = "8.0"
    instance_class = "db.t4g.micro"
  }
  assert {
    condition     = !module.rds.performance_insights_enabled
    error_message = "Performance Insights must be off for MySQL on db.t4g.micro"
  }
}

run "explicit_multi_az_wins" {
  command = apply

  variables {
    multi_az = true
  }

  assert {
    condition     = module.rds.multi_az && !module.rds.deletion_protection
    error_message = "multi_az = true must give Multi-AZ outside production"
  }
}

run "backup_and_maintenance_windows" {
  command = apply
  variables {
    backup_retention_days = 21
    backup_window         = "02:00-02:30"
    maintenance_window    = "tue:04:00-tue:05:00"
  }
  assert {
    condition     = module.rds.backup_window == "02:00-02:30" && module.rds.maintenance_window == "tue:04:00-tue:05:00"
    error_message = "backup_window and maintenance_window must reach modules/aws/rds"
  }
}

run "rejects_short_backup_window" {
  command = plan
  variables {
    backup_window = "02:00-02:15"
  }
  expect_failures = [var.backup_window]
}

run "rejects_bad_maintenance_window" {
  command = plan
  variables {
    maintenance_window = "tuesday:04:00-tuesday:05:00"
  }
  expect_failures = [var.maintenance_window]
}

run "rejects_short_backups" {
  command = plan
  variables {
    backup_retention_days = 6
  }
  expect_failures = [var.backup_retention_days]
}

run "rejects_unknown_engine" {
  command = plan
  variables {
    engine = "mariadb"
  }
  expect_failures = [var.engine]
}

run "rejects_name_without_service_prefix" {
  command = plan
  variables {
    name = "billing-db"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders--db"
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

run "rejects_bad_vpc_id" {
  command = plan
  variables {
    vpc_id = "vpc_0123"
  }
  expect_failures = [var.vpc_id]
}

run "iam_users_are_an_output" {
  command = plan

  variables {
    iam_users = ["orders", "billing"]
  }

  assert {
    condition     = jsonencode(output.iam_users) == jsonencode(["orders", "billing"])
    error_message = "the declaring services are an output (infragen datastore users reconciles their database users)"
  }
}

run "admits_the_atlantis_server" {
  command = apply

  variables {
    admin_security_group_id = "sg-0a1b2c3d4e5f60099"
  }

  assert {
    condition = (
      length(module.client_access.ingress_rules) == 2 &&
      module.client_access.ingress_rules["atlantis"].source_security_group_id == "sg-0a1b2c3d4e5f60099" &&
      module.client_access.ingress_rules["atlantis"].from_port == 5432 &&
      module.client_access.ingress_rules["atlantis"].to_port == 5432
    )
    error_message = "the Atlantis server's group reaches the database port, so the apply step can make the database users"
  }
}

run "rejects_a_bad_admin_group" {
  command = plan

  variables {
    admin_security_group_id = "atlantis"
  }

  expect_failures = [var.admin_security_group_id]
}

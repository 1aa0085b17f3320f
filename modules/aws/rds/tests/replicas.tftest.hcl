mock_provider "aws" {}

variables {
  name                   = "orders-db"
  engine                 = "postgres"
  engine_version         = "16"
  instance_class         = "db.t4g.medium"
  storage_gb             = 20
  subnet_ids             = ["subnet-0a", "subnet-0b"]
  vpc_security_group_ids = ["sg-0123"]
  tags                   = { owner = "team-a" }
}

run "no_replicas_by_default" {
  command = apply

  assert {
    condition     = length(aws_db_instance.replica) == 0 && output.replica_ids == [] && output.replica_addresses == []
    error_message = "without read_replicas there is no replica"
  }
}

run "two_replicas_of_the_instance" {
  command = apply

  variables {
    read_replicas = 2
  }

  assert {
    condition     = output.replica_ids == ["orders-db-replica-1", "orders-db-replica-2"]
    error_message = "replicas are named <name>-replica-N"
  }

  assert {
    condition = alltrue([for r in aws_db_instance.replica : (
      r.replicate_source_db == aws_db_instance.this.identifier &&
      r.instance_class == "db.t4g.medium" &&
      r.vpc_security_group_ids == toset(["sg-0123"]) &&
      r.parameter_group_name == aws_db_instance.this.parameter_group_name &&
      r.iam_database_authentication_enabled && r.storage_encrypted && !r.publicly_accessible &&
      r.auto_minor_version_upgrade && r.port == 5432 && r.skip_final_snapshot
    )])
    error_message = "each replica replicates the instance, behind its security groups, with its parameters, IAM auth, encryption and no public access"
  }
}

run "rejects_six_replicas" {
  command = plan
  variables {
    read_replicas = 6
  }
  expect_failures = [var.read_replicas]
}

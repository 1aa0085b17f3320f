# Connection by convention: the SSM parameters the task definition reads with valueFrom
# (docs/deploying.md). Names must match generator/deploy/convention.py.
mock_provider "aws" {}

variables {
  service        = "orders"
  owner          = "team-a"
  environment    = "staging"
  production     = false
  vpc_id         = "vpc-0123456789abcdef0"
  subnet_ids     = ["subnet-0a", "subnet-0b"]
  tags           = {}
  name           = "orders-db"
  engine         = "postgres"
  engine_version = "16.4"
  instance_class = "db.t4g.medium"
  storage_gb     = 20
}

run "connection_parameters" {
  command = apply

  assert {
    condition = output.connection_parameters == {
      host         = "/infragen/staging/orders-db/host"
      port         = "/infragen/staging/orders-db/port"
      database     = "/infragen/staging/orders-db/database"
      reader_host  = "/infragen/staging/orders-db/reader_host"
      reader_hosts = "/infragen/staging/orders-db/reader_hosts"
    }
    error_message = "a postgres database must publish host, port, database and the readers under /infragen/<env>/<name>/ (the IAM user is named like the connecting service and needs no parameter)"
  }

  assert {
    condition = (
      aws_ssm_parameter.connection["host"].value == module.rds.address &&
      aws_ssm_parameter.connection["port"].value == "5432" &&
      aws_ssm_parameter.connection["database"].value == "postgres" &&
      alltrue([for p in aws_ssm_parameter.connection : p.type == "String" && p.tags["service"] == "orders"])
    )
    error_message = "the parameters must carry the instance address, the engine port and the default database, as String values with the module tags"
  }
}

run "mysql_database_is_named_like_the_owner" {
  command = apply

  variables {
    engine         = "mysql"
    engine_version = "8.0"
  }

  assert {
    condition     = keys(output.connection_parameters) == ["database", "host", "port", "reader_host", "reader_hosts"] && aws_ssm_parameter.connection["port"].value == "3306"
    error_message = "mysql publishes host, port (3306), database and the readers"
  }

  assert {
    condition     = aws_ssm_parameter.connection["database"].value == "orders"
    error_message = "the mysql database is named like the owner service (infragen datastore users creates it)"
  }
}

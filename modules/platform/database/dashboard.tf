# Dashboard widgets of the database (output dashboard_widgets), for the owning service's dashboard.

locals {
  dashboard_widgets = concat([
    {
      title = "${var.name}: CPU (%) and connections"
      metrics = [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", module.rds.id, { stat = "Average", label = "CPU" }],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", module.rds.id, { stat = "Maximum", label = "connections", yAxis = "right" }],
      ]
    },
    {
      title   = "${var.name}: free storage (bytes)"
      metrics = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", module.rds.id, { stat = "Minimum", label = "free storage" }]]
    },
    ], [
    # with read replicas: their lag, one line each
    for _ in slice(["lag"], 0, min(1, var.read_replicas)) : {
      title   = "${var.name}: replica lag (s), alarm above ${local.alarm_thresholds["replica_lag"]}"
      metrics = [for id in local.replica_ids : ["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", id, { stat = "Maximum", label = id }]]
    }
  ])
}

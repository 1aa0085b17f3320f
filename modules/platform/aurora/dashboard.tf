# Dashboard widgets of the Aurora cluster (output dashboard_widgets), for the owning service's dashboard.

locals {
  dashboard_widgets = concat(
    [
      {
        title = "${var.name}: CPU (%) and connections"
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", module.cluster.id, { stat = "Maximum", label = "CPU" }],
          ["AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", module.cluster.id, { stat = "Maximum", label = "connections", yAxis = "right" }],
        ]
      },
      {
        title   = "${var.name}: freeable memory (bytes)"
        metrics = [["AWS/RDS", "FreeableMemory", "DBClusterIdentifier", module.cluster.id, { stat = "Minimum", label = "freeable memory" }]]
      },
    ],
    local.instances > 1 ? [
      {
        title   = "${var.name}: replica lag (ms)"
        metrics = [["AWS/RDS", "AuroraReplicaLag", "DBClusterIdentifier", module.cluster.id, "Role", "READER", { stat = "Maximum", label = "replica lag" }]]
      },
    ] : [],
  )
}

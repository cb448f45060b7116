variable "APP_ENV" {
  default = ""
}

variable "TAG" {
  default = ""
}

group "default" {
  targets = ["api", "base", "web", "worker"]
}

target "api" {
  context = "api"
  contexts = {
    base = "target:base"
  }
  dockerfile = "Dockerfile"
  args = {
    APP_ENV      = "${APP_ENV == "" ? "production" : APP_ENV}"
    NODE_VERSION = "20"
    PORT         = "8080"
  }
  labels = {
    "org.opencontainers.image.title" = "shop-api"
  }
  tags = ["registry.example.com/shop/api:${TAG == "" ? "latest" : TAG}"]
}

target "base" {
  context    = "base"
  dockerfile = "Dockerfile"
  args = {
    APP_ENV      = "${APP_ENV == "" ? "production" : APP_ENV}"
    NODE_VERSION = "20"
  }
  tags = ["shop/base:${TAG == "" ? "latest" : TAG}"]
}

target "web" {
  context    = "web"
  dockerfile = "Dockerfile"
  tags       = ["shop-web"]
}

target "worker" {
  context = "worker"
  contexts = {
    base = "target:base"
  }
  dockerfile = "worker.Dockerfile"
  tags       = ["registry.example.com/shop/worker:${TAG == "" ? "latest" : TAG}"]
  target     = "runtime"
}

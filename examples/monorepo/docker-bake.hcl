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
    APP_ENV      = "production"
    NODE_VERSION = "20"
    PORT         = "8080"
  }
  labels = {
    "org.opencontainers.image.title" = "shop-api"
  }
  tags = ["registry.example.com/shop/api:latest"]
}

target "base" {
  context    = "base"
  dockerfile = "Dockerfile"
  args = {
    APP_ENV      = "production"
    NODE_VERSION = "20"
  }
  tags = ["shop/base:latest"]
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
  tags       = ["registry.example.com/shop/worker:latest"]
  target     = "runtime"
}

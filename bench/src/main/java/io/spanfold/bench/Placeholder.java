package io.spanfold.bench; final class Placeholder {}

import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { CompileController } from './compile.controller.js';
import { CompileService } from './compile.service.js';
import { DocumentCompiler } from './document-compiler.service.js';

/** Compiling in the compute pool, for every module that compiles or diffs documents. */
@Module({ providers: [DocumentCompiler], exports: [DocumentCompiler] })
export class CompileModule {}

/** POST /v1/compile[/connectivity] (ROLE=api|all). */
@Module({
  imports: [CompileModule, ClustersModule],
  controllers: [CompileController],
  providers: [CompileService],
})
export class CompileApiModule {}
